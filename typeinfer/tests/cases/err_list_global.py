# sig: (i8,)
def f(i):
    return items[i]

# expect:
# error Typing 3:12-3:17: 'items' is a Python list, which jitted code cannot use
# hint: a module-level list is not frozen into compiled code; pass it as an argument, or use a tuple or a NumPy array
