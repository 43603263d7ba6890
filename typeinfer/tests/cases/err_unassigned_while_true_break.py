# sig: (i8,)
def f(n):
    while True:
        if n > 3:
            break
        k = n
        n += 1
    return k

# expect:
# error Typing 8:12-8:13: variable 'k' may be used before it is assigned
# hint: assign it on every path that reaches this point, e.g. give it an initial value before the `if` or loop (Python would raise UnboundLocalError)
