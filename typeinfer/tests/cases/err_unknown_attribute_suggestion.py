# sig: (f8[:],)
def f(a):
    return a.shap

# expect:
# error Typing 3:12-3:18: unknown attribute 'shap' of array(float64, 1d, A)
# hint: did you mean '.shape'?
