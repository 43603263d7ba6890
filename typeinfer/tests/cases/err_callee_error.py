# sig: (f8[:],)
def f(a):
    return helper(a)

# expect:
# error Typing 0:0-0:0: helper() cannot take [Array { dtype: F64, ndim: 1, layout: A, readonly: false }]
