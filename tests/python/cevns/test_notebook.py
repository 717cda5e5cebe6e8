"""The example notebook docs/example.ipynb runs from top to bottom without an error (nbclient)."""

import nbclient
import nbformat

from conftest import REPO


def test_example_notebook_runs(tmp_path):
    nb = nbformat.read(REPO / "docs" / "example.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(REPO / "docs")}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "events in CsI" in text
    assert "<dict>\n/scans/0/axes/0/points\n" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
