# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (int64, uint64, int8, uint8, uint32[:, :])
def seed2(p1, p2, p3, p4, a5):
    if True:
        w6 = 0
        while w6 < 1:
            w6 += 1
            for i7 in range(7, 3, -1):
                if ((np.int64(i7) == np.float64(2.316200849599273)) ^ np.bool_(False)):
                    continue
    a5[((~np.int64(-10))) % 1 - 1, 1] = ((a5[0, 0] or abs(a5[-1, 1])) << np.uint32(3))
    if np.bool_(False):
        for i8 in range(-2, 1, 1):
            pass
        return min((~(np.uint32(20) or a5[-1, -2])), a5[-1, -3])
    for i9 in range(len(a5)):
        a5[-1, 1] = (np.uint32(a5[i9, 1]) >> np.uint32(7))
        a5[(np.int64(np.uint16(0))) % 1, ((~np.int64(-6176070964688857016))) % 3] ^= np.uint32(2588782911)
        a5[(np.int64(np.uint16(p4))) % 1, (np.int64(-9223372036854775808)) % 3 - 3] = (abs(a5[-1, -2]) // ((np.uint32(10) & a5[i9, 0]) if (np.uint32(10) & a5[i9, 0]) != np.uint32(0) else np.uint32(1)))
    return (abs(a5[0, -3]) // (max(a5[-1, 2], a5[0, 0], a5[-1, -1]) if max(a5[-1, 2], a5[0, 0], a5[-1, -1]) != np.uint32(0) else np.uint32(1)))
