# sig: (f8[:],)
def f(a):
    if a[0] > 0:
        return [a[0]]
    return None

# expect:
# error Typing 5:12-5:16: function returns both list(float64) and none
# note 4:16-4:22: list(float64) is returned here
# hint: only a number, array, tuple or string may be None on some paths (an optional value)
