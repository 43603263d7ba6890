# sig: (i8,)
def f(n):
    s = "a" + n
    return n

# expect:
# error Typing 3:9-3:16: unsupported operand type(s) for +: 'str' and 'int64'
# hint: strings join only with strings: convert numbers with str(x), or use an f-string
