# sig: (f8,)
def f(x):
    if x > 0:
        return x

# expect:
# error Typing 2:1-2:6: function returns both float64 and none
# note 4:16-4:17: float64 is returned here
# hint: the function can reach its end without a return statement, which returns None
