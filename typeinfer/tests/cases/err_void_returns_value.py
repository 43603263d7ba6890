# sig: void(f8)
def f(x):
    return x

# expect:
# error Typing 3:12-3:13: function declared to return none returns float64
