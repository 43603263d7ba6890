# sig: void(f8)
def f(x):
    raise x

# expect:
# error Typing 3:11-3:12: exceptions must be exception classes, got float64
