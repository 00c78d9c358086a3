# Leaves with os._exit(0) at import: no exception, no cleanup, no answer on the channel.
# The grader must notice the process ended with code 0 before any check could run.
import os

os._exit(0)
