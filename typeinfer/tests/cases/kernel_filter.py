# sig: void(f8[:,::1], f8[:,::1], f8[:,::1])
def filter(image, filt, output):
    M, N = image.shape
    m, n = filt.shape
    for i in range(m//2, M-m//2):
        for j in range(n//2, N-n//2):
            result = 0.0
            for k in range(m):
                for l in range(n):
                    result += image[i+k-m//2,j+l-n//2]*filt[k, l]
            output[i,j] = result

# expect:
# types of filter:
#   M: int64
#   N: int64
#   filt: array(float64, 2d, C)
#   i: int64
#   image: array(float64, 2d, C)
#   j: int64
#   k: int64
#   l: int64
#   m: int64
#   n: int64
#   output: array(float64, 2d, C)
#   result: float64
#   return: none
# resolutions:
#   5:14 range(m//2, M-m//2) => Intrinsic(Range)
#   5:14 range => Callee
#   6:18 range(n//2, N-n//2) => Intrinsic(Range)
#   6:18 range => Callee
#   8:22 range(m) => Intrinsic(Range)
#   8:22 range => Callee
#   9:26 range(n) => Intrinsic(Range)
#   9:26 range => Callee
