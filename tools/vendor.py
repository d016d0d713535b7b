"""Copy the third-party front-end files named in package.json into static/vendor/.

Third-party code is never committed: npm installs it from package-lock.json and this
script puts the files the pages load where Flask serves them.
"""
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    mapping = json.loads((ROOT / "package.json").read_text())["vendor"]
    target = ROOT / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, source in mapping.items():
        src = ROOT / source
        if not src.exists():
            missing.append(source)
            continue
        shutil.copyfile(src, target / name)
    if missing:
        print("saknas (kör npm ci): " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
