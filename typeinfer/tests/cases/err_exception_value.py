# sig: void(f8)
def f(x):
    e = ValueError("bad")

# expect:
# error Unsupported 3:9-3:26: exception class 'ValueError' can only be used in a raise
# hint: write `raise ValueError("message")`
