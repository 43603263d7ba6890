# sig: (c16,)
def f(z):
    return int(z)

# expect:
# error Typing 3:16-3:17: cannot convert complex128 with int()
# hint: take the real part explicitly with `.real`
