# sig: (i8, f8[:])
def f(n, a):
    if n > 0:
        return 1.0
    return a

# expect:
# error Typing 5:12-5:13: function returns both float64 and array(float64, 1d, A)
# note 4:16-4:19: float64 is returned here
