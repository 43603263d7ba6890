# sig: (i8,)
def f(n):
    for i in range(n):
        total += i
    return n

# expect:
# error Typing 4:9-4:14: local variable 'total' is referenced before assignment
