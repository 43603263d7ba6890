# sig: i8(c16)
def f(z):
    return z * 2

# expect:
# error Typing 3:12-3:17: function declared to return int64 returns complex128
