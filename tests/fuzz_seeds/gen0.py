# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (uint32, float32, complex64, uint8, float64[:], uint32[:, :])
def seed0(p1, p2, p3, p4, a5, a6):
    v7 = (((p1 + p4) > np.uint32((p2 if 0 < p2 < 200 else np.float32(7.0)))) + (np.complex64(complex(8.3604097366333, 5.246120929718018)) * np.complex64(p4)))
    v8 = ((np.uint64(18446744073709551615) or (-np.uint64(12))) - ((np.uint8(128) - np.uint16(40388)) // ((+p1) if (+p1) != np.uint32(0) else np.uint32(1))))
    for i9 in range(a5.shape[0]):
        for i10 in a5:
            v8 = v8
            v8 -= np.uint64(6539493437534931282)
    v8 = ((~(np.uint64(0) or v8)) >> np.uint64(60))
    v8 |= (min(v8, v8) - np.uint8(86))
    if np.bool_(True):
        v8 &= np.uint64(5)
        if True:
            w11 = 0
            while w11 < 3 and (math.isinf(a5[-2]) or np.bool_(True)):
                w11 += 1
                v7 = p3
    else:
        v7 = (((~p4) + (-v7)) - ((np.bool_(False) or np.bool_(False)) and math.isfinite(np.float64(-4.09252580788835))))
    if (np.int8(-14) and np.int8(83)):
        if (np.bool_(True) or math.isinf((-a5[-5]))):
            a5[(np.int64((np.int32(1748762178) | np.uint8(134)))) % 6] = np.float64(math.acosh((np.float64(math.expm1((np.float64((np.int64(-9223372036854775808) or np.int64(14))) if -700.0 < np.float64((np.int64(-9223372036854775808) or np.int64(14))) < 700.0 else np.float64(0.5)))) if np.float64(math.expm1((np.float64((np.int64(-9223372036854775808) or np.int64(14))) if -700.0 < np.float64((np.int64(-9223372036854775808) or np.int64(14))) < 700.0 else np.float64(0.5)))) > 1.0 else np.float64(1.5))))
        else:
            a6[(np.int64((np.int8(-17) << np.int8(2)))) % 3 - 3, (np.int64((np.uint16(10) if np.bool_(True) else np.uint16(32768)))) % 2 - 2] = p1
            v7 = p3
    else:
        for i12 in range(len(a5)):
            if (p3 == np.complex64(complex(0.0, -7.507059574127197))):
                break
            if ((np.bool_(True) | np.bool_(False)) and (np.bool_(False) ^ np.bool_(True))):
                continue
    return (abs((np.int16(0) >> np.int16(9))), np.int8(-13), np.uint64((~min(np.uint32(5), p1))))
