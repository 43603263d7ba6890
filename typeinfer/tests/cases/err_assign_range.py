# sig: (i8,)
def f(n):
    r = range(n)
    return n

# expect:
# error Unsupported 3:5-3:6: cannot assign a range to variable 'r'
# hint: use range(...) directly as the iterable of a for loop
