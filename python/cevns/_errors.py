"""The one exception type of bad input."""


class ConfigError(ValueError):
    """Bad input: a config (file or dict), a value or an option. ``file`` names the file (``<dict>``
    for a config given as a dict, the option's name for an option such as ``bin_width_keV``),
    ``json_path`` the JSON pointer inside it (empty when the problem is not inside a document) and
    ``expectation`` what was expected; ``str()`` is the program's one-line message."""

    def __init__(self, file, json_path, expectation):
        self.file, self.json_path, self.expectation = file, json_path, expectation
        where = file or "input"
        if json_path:
            where += ": " + json_path
        super().__init__(f"{where}: {expectation}")

    def __reduce__(self):
        return type(self), (self.file, self.json_path, self.expectation)
