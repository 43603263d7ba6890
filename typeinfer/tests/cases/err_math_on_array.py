# sig: (f8[:],)
def f(a):
    return math.sqrt(a)

# expect:
# error Typing 3:22-3:23: math.sqrt() argument must be a number, got array(float64, 1d, A)
# hint: whole-array operations are not supported yet; write a loop over the elements
