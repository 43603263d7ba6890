# sig: (f8[:], b1)
def f(a, flag):
    if flag:
        y = a
    else:
        y = 1.0
    return y

# expect:
# error Typing 6:9-6:10: variable 'y' has incompatible types array(float64, 1d, A) and float64
# note 4:9-4:10: 'y' is given type array(float64, 1d, A) here
# hint: a variable keeps one type in the whole function; only numbers widen (bool → int → float → complex)
