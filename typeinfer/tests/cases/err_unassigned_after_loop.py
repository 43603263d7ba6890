# sig: (i8,)
def f(n):
    for i in range(n):
        last = i
    return last

# expect:
# error Typing 5:12-5:16: variable 'last' may be used before it is assigned
# hint: assign it on every path that reaches this point, e.g. give it an initial value before the `if` or loop (Python would raise UnboundLocalError)
