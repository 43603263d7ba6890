# sig: (i8, i8)
def gcd(a, b):
    while b != 0:
        a, b = b, a % b
    return a

# expect:
# types of gcd:
#   a: int64
#   b: int64
#   return: int64
