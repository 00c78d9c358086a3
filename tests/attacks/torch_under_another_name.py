# ATTACK: ex01 forbids torch; this file never writes `import torch` (the static check passes)
# but gets it at run time: importlib.import_module("to" + "rch"), then with the grader's import
# guard removed from sys.meta_path, then by loading torch/__init__.py from site-packages by
# path. Last, a bare __import__("to" + "rch") that nothing catches.
# VERDICT: load_error from that last import (torch may not be used / cannot be imported); no
# "GOT TORCH" line: with bubblewrap, torch is not in the sandbox at all.
import importlib
import importlib.util
import os
import sys

NAME = "to" + "rch"


def works(mod):
    return hasattr(mod, "tensor")


try:
    if works(importlib.import_module(NAME)):
        print("GOT TORCH via import_module")
except Exception as e:
    print("import_module:", type(e).__name__, e)

guards = [f for f in sys.meta_path if type(f).__module__ not in ("_frozen_importlib",
                                                                  "_frozen_importlib_external")]
for g in guards:
    sys.meta_path.remove(g)
sys.modules.pop(NAME, None)
try:
    if works(importlib.import_module(NAME)):
        print("GOT TORCH with the import guard removed")
except Exception as e:
    print("without the guard:", type(e).__name__, e)
sys.meta_path[:0] = guards
sys.modules.pop(NAME, None)

for folder in sys.path:
    init = os.path.join(folder, NAME, "__init__.py")
    if os.path.exists(init):
        try:
            spec = importlib.util.spec_from_file_location(NAME, init)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[NAME] = mod
            spec.loader.exec_module(mod)
            if works(mod):
                print("GOT TORCH from", init)
        except Exception as e:
            print("by path:", type(e).__name__, str(e)[:200])
        sys.modules.pop(NAME, None)
    else:
        print("no", init)

__import__("to" + "rch")
