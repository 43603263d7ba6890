# sig: (f8,)
def f(x):
    m = math
    return x

# expect:
# error Typing 3:9-3:13: module 'math' cannot be used as a value
