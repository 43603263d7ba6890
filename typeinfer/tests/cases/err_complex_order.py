# sig: (c16, c16)
def f(a, b):
    return a < b

# expect:
# error Typing 3:12-3:17: '<' not supported between instances of 'complex128' and 'complex128'
