# sig: (f8,)
def f(x):
    return round(x, ndigits=2)

# expect:
# error Unsupported 3:21-3:30: keyword arguments are not supported in calls to round()
