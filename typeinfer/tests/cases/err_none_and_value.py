# sig: (f8,)
def f(x):
    if x > 0:
        return
    return x

# expect:
# error Typing 5:12-5:13: function returns both none and float64
# note 4:9-4:15: none is returned here
