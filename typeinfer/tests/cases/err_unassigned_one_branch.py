# sig: (i8,)
def f(n):
    if n > 0:
        y = 1
    return y

# expect:
# error Typing 5:12-5:13: variable 'y' may be used before it is assigned
# hint: assign it on every path that reaches this point, e.g. give it an initial value before the `if` or loop (Python would raise UnboundLocalError)
