# sig: (f8[:],)
def f(a):
    if a:
        return 1
    return 0

# expect:
# error Typing 3:8-3:9: cannot use a value of type array(float64, 1d, A) as a condition
# hint: compare explicitly, e.g. `a.size > 0`
