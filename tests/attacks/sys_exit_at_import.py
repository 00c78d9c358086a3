# ATTACK: calls sys.exit(0) at import, as a finished script would.
# VERDICT: load_error that explains sys.exit() and `if __name__ == '__main__':`; 0 points.
import sys

print("all done, bye")  # kept in the output the report shows (test_robustness)
sys.exit(0)
