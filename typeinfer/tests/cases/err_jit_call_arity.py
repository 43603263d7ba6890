# sig: (f8,)
def f(x):
    return first(x, 1, 2)

# expect:
# error Typing 3:12-3:26: first() takes 2 arguments but 3 were given
