# sig: (f8, f8)
def f(x, y):
    return math.sqrt(x, y)

# expect:
# error Typing 3:12-3:27: math.sqrt() takes exactly 1 argument (2 given)
