# sig: (i8,)
def f(i):
    return items[i]

# expect:
# error Typing 3:12-3:17: 'items' is a Python list, which jitted code cannot use
# hint: lists are not supported; use a NumPy array
