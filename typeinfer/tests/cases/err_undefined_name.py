# sig: (f8,)
def f(x):
    return x + undefined_thing

# expect:
# error Typing 3:16-3:31: name 'undefined_thing' is not defined
