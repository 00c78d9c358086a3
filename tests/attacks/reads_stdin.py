# Asks for input() at import time. stdin is closed in the sandbox, so this must fail at once
# (EOFError, a load error), not wait for the time limit.
name = input("what is your name? ")
print("hello", name)
