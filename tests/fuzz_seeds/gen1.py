# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (float32, int16, float32, float32, float64, int16[:, :])
def seed1(p1, p2, p3, p4, p5, a6):
    v7 = min(np.int32(-15), np.int32(((p3 if np.bool_(False) else np.float32(5.02587366104126)) if -100 < (p3 if np.bool_(False) else np.float32(5.02587366104126)) < 100 else np.float32(7.0))), np.int32(0))
    v7 = (-((~p2) | (v7 >> np.int32(16))))
    if (np.bool_(False) if bool(p1) else (bool(v7) & (np.uint32(2) == np.complex64(complex(-1.0000000031710769e-30, 0.6868079304695129))))):
        v7 = v7
        for i8 in range(-3, 2, 3):
            if np.bool_(False):
                continue
            if (np.bool_(True) | np.bool_(True)):
                break
    v7 = (np.int32((p2 >> np.int16(1))) if ((np.uint32(1095168125) & p2) < (np.int64(-9223372036854775808) if np.bool_(False) else np.int64(15)) == abs(p4)) else np.int32(-2))
    v7 = (np.int32(1188791838) << np.int32(29))
    for i9 in range(3, 1, -1):
        if (np.bool_(True) if math.isfinite(p5) else (np.bool_(True) if np.bool_(True) else np.bool_(True))):
            break
    v7 = max((v7 and abs(v7)), v7)
    a6[(np.int64(len(a6))) % 1 - 1, -2] = ((~(a6[0, -1] and p2)) and p2)
    return (np.uint8(1), np.complex64(complex(9.960318565368652, -6.047881126403809)), np.complex128(np.uint64(13356776736409196750)).imag)
