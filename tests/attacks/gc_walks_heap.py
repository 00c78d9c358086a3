# ATTACK (ex06): walks the whole heap (gc.get_objects) for the probes' namespace and the
# grader's request, to print the hidden inputs.
# VERDICT: graded or load_error, 0 points; stopped at gc.get_objects ("walked the interpreter's
# heap").
import gc

found = [o for o in gc.get_objects() if isinstance(o, dict) and "DATA" in o]
print("LEAKED", len(found))
