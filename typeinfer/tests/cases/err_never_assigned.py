# sig: (i8,)
def f(n):
    for i in range(n):
        total += i
    return n

# expect:
# error Typing 4:9-4:14: variable 'total' may be used before it is assigned
# hint: assign it on every path that reaches this point, e.g. give it an initial value before the `if` or loop (Python would raise UnboundLocalError)
