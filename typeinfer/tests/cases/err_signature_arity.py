# sig: (f8, f8)
def f(x):
    return x

# expect:
# error Typing 2:1-2:6: f() takes 1 argument(s) but 2 type(s) were given
