#!/usr/bin/env python3
"""The folders of host/ are layers: each includes only its own layer and the layers below it.

  core → config → stats → engine → data → io → cli → python      (kernels/ below them all)

Prints every include that points upwards (or into host/ from kernels/) and exits 1 if there is any.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYERS = ["kernels", "core", "config", "stats", "engine", "data", "io", "cli", "python"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"(kernels|host/(\w+))/')


def layer_of(path):
    parts = path.split(os.sep)
    if parts[0] == "kernels":
        return "kernels"
    return parts[1] if parts[0] == "host" and len(parts) > 2 else None


def main():
    bad, files = [], 0
    for top in ("kernels", "host"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in names:
                if not name.endswith((".hpp", ".cpp", ".inl", ".cu")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), ROOT)
                own = layer_of(rel)
                if own not in LAYERS:
                    bad.append(f"{rel}: not inside a layer folder ({', '.join(LAYERS[1:])})")
                    continue
                files += 1
                with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = "kernels" if m.group(1) == "kernels" else m.group(2)
                        if LAYERS.index(target) > LAYERS.index(own):
                            bad.append(f"{rel}:{n}: {own}/ includes {target}/ (a higher layer)")
    for b in bad:
        print(b)
    print(f"{len(bad)} upward includes in {files} files")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
