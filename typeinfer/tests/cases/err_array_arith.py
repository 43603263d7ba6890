# sig: (f8[:], f8[:])
def f(a, b):
    return a + b

# expect:
# error Typing 3:12-3:17: unsupported operand type(s) for +: 'array(float64, 1d, A)' and 'array(float64, 1d, A)'
# hint: whole-array operations are not supported yet; write a loop over the elements
