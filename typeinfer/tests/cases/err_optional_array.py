# sig: (f8[:],)
def f(a):
    if a[0] > 0:
        return a
    return None

# expect:
# error Typing 5:12-5:16: function returns both array(float64, 1d, A) and none
# note 4:16-4:17: array(float64, 1d, A) is returned here
# hint: only a number may be None on some paths (an optional number)
