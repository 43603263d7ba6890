# sig: void(f8)
def check(x):
    assert x > 0, "x must be positive"
    assert x < 100
    if x > 10:
        raise ValueError("too big")
    if x > 5:
        raise MyError
    if x > 4:
        raise ZeroDivisionError()

# expect:
# types of check:
#   x: float64
#   return: none
# resolutions:
#   6:15 ValueError => ExceptionClass("ValueError")
#   8:15 MyError => ExceptionClass("MyError")
#   10:15 ZeroDivisionError => ExceptionClass("ZeroDivisionError")
