# sig: void(f8[:], c16)
def f(a, z):
    a[0] = z

# expect:
# error Typing 3:5-3:9: cannot store complex128 into an element of type float64
# hint: take the real part explicitly with `.real`
