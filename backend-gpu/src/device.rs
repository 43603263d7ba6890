//! The cudarc boundary: finding a device, device memory, loading PTX and launching kernels.
//!
//! Nothing of cudarc leaves this file: buffers and modules are our own types, driver errors are
//! rendered into [`GpuError::Driver`]. The device (ordinal 0; choose another with
//! `CUDA_VISIBLE_DEVICES`) is probed once per process: cudarc *panics* when `libcuda` is
//! missing, so the probe first asks `is_culib_present()` and runs inside `catch_unwind`; its
//! answer is cached, and without a device every entry point returns [`GpuError::Unavailable`].
//!
//! All work goes through the context's default stream and every call that hands data back
//! synchronises, so a `launch` has finished (and its error slot been read) when it returns.

use crate::GpuError;
use crate::error::panic_message;
use crate::ptx::{KernelArg, KernelSpec, PtxModule, PtxOptions, compile_ptx, memory_size};
use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DevicePtr, LaunchConfig,
    PushKernelArg, sys,
};
use ir::Ty;
use runtime::error::{ERROR_ARGS, ErrorInfo, ErrorSlot, arg_offset};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

/// Threads per block of every launch.
const BLOCK_SIZE: u32 = 256;
/// Blocks per multiprocessor a grid-stride launch asks for at most.
const BLOCKS_PER_SM: u64 = 8;

/// The device every buffer and module lives on.
struct Device {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    multiprocessors: u32,
}

static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();

fn device() -> Result<&'static Device, GpuError> {
    DEVICE
        .get_or_init(probe)
        .as_ref()
        .map_err(|reason| GpuError::Unavailable(reason.clone()))
}

fn probe() -> Result<Device, String> {
    // SAFETY: `is_culib_present` only tries to open the driver library by its usual names.
    let present = catch_unwind(|| unsafe { sys::is_culib_present() })
        .map_err(|p| format!("probing for libcuda panicked: {}", panic_message(&*p)))?;
    if !present {
        return Err("the CUDA driver library (libcuda) was not found".to_string());
    }
    let ctx = catch_unwind(|| CudaContext::new(0))
        .map_err(|p| format!("creating a CUDA context panicked: {}", panic_message(&*p)))?
        .map_err(|e| format!("no usable CUDA device 0: {e}"))?;
    let attribute = sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
    let multiprocessors = ctx
        .attribute(attribute)
        .map_err(|e| format!("reading the multiprocessor count: {e}"))?;
    let stream = ctx.default_stream();
    Ok(Device {
        ctx,
        stream,
        multiprocessors: multiprocessors.max(1) as u32,
    })
}

/// True if a CUDA driver and device 0 are usable (probed once, then cached).
pub fn is_available() -> bool {
    device().is_ok()
}

/// Why no device is usable, or `None` if one is.
pub fn unavailable_reason() -> Option<String> {
    match device() {
        Ok(_) => None,
        Err(GpuError::Unavailable(reason)) => Some(reason),
        Err(other) => Some(other.to_string()),
    }
}

fn driver(during: &str) -> impl FnOnce(cudarc::driver::DriverError) -> GpuError + '_ {
    move |e| GpuError::Driver {
        during: during.to_string(),
        message: e.to_string(),
    }
}

/// Bytes in device memory.
pub struct DeviceBuffer {
    /// At least one byte long: zero-sized allocations are not portable.
    slice: CudaSlice<u8>,
    len: usize,
}

impl std::fmt::Debug for DeviceBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceBuffer")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl DeviceBuffer {
    /// `len` zeroed bytes.
    pub fn alloc(len: usize) -> Result<DeviceBuffer, GpuError> {
        let dev = device()?;
        let slice = dev
            .stream
            .alloc_zeros::<u8>(len.max(1))
            .map_err(driver("allocating device memory"))?;
        Ok(DeviceBuffer { slice, len })
    }
    /// A copy of `data`.
    pub fn from_host(data: &[u8]) -> Result<DeviceBuffer, GpuError> {
        let mut buffer = DeviceBuffer::alloc(data.len())?;
        if !data.is_empty() {
            let dev = device()?;
            dev.stream
                .memcpy_htod(data, &mut buffer.slice)
                .map_err(driver("copying to the device"))?;
        }
        Ok(buffer)
    }
    /// Copies the buffer into `out`, which must have the buffer's length.
    pub fn to_host(&self, out: &mut [u8]) -> Result<(), GpuError> {
        let dev = device()?;
        if out.len() != self.len {
            return Err(GpuError::InvalidArgument(format!(
                "copying a buffer of {} bytes into {} bytes",
                self.len,
                out.len()
            )));
        }
        if self.len > 0 {
            let view = self.slice.slice(0..self.len);
            dev.stream
                .memcpy_dtoh(&view, out)
                .map_err(driver("copying from the device"))?;
            dev.stream
                .synchronize()
                .map_err(driver("copying from the device"))?;
        }
        Ok(())
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The buffer's device address, for building structures that point into it (such as
    /// array descriptors in device memory).
    pub fn address(&self) -> u64 {
        let (address, _record) = self.slice.device_ptr(self.slice.stream());
        address
    }
}

/// One argument of a [`GpuModule::launch`], in the kernel's input order, then the output.
#[derive(Clone, Copy, Debug)]
pub enum KernelArgValue<'a> {
    /// An array input, the output, or a `ptr` scalar input (the buffer's address).
    Buffer(&'a DeviceBuffer),
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// A kernel parameter as the driver reads it: 4 or 8 bytes.
enum Word {
    W32(u32),
    W64(u64),
}

/// A PTX module loaded on the device, with its kernels and error table.
pub struct GpuModule {
    kernels: HashMap<String, (CudaFunction, KernelSpec)>,
    errors: Vec<ErrorInfo>,
    ptx: String,
    _module: Arc<CudaModule>,
}

impl std::fmt::Debug for GpuModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kernels: Vec<_> = self.kernels.keys().collect();
        kernels.sort();
        f.debug_struct("GpuModule")
            .field("kernels", &kernels)
            .field("errors", &self.errors.len())
            .finish_non_exhaustive()
    }
}

impl GpuModule {
    /// Emits PTX for `module` and `kernels` and loads it.
    pub fn compile(
        module: &ir::Module,
        kernels: &[KernelSpec],
        opts: &PtxOptions,
    ) -> Result<GpuModule, GpuError> {
        device()?;
        GpuModule::load(compile_ptx(module, kernels, opts)?)
    }

    /// Loads PTX text (the driver compiles it for the device) and looks up its kernels.
    pub fn load(ptx: PtxModule) -> Result<GpuModule, GpuError> {
        let dev = device()?;
        // cudarc turns names and text into C strings and panics on interior NULs.
        if ptx.text.contains('\0') {
            return Err(GpuError::InvalidArgument(
                "the PTX text contains a NUL".into(),
            ));
        }
        let module = dev
            .ctx
            .load_module(cudarc::nvrtc::Ptx::from_src(ptx.text.clone()))
            .map_err(driver("loading the PTX module"))?;
        let mut kernels = HashMap::new();
        for spec in ptx.kernels {
            if spec.name.contains('\0') {
                return Err(GpuError::kernel(&spec.name, "the name contains a NUL"));
            }
            let during = format!("looking up kernel `{}`", spec.name);
            let function = module.load_function(&spec.name).map_err(driver(&during))?;
            kernels.insert(spec.name.clone(), (function, spec));
        }
        Ok(GpuModule {
            kernels,
            errors: ptx.errors,
            ptx: ptx.text,
            _module: module,
        })
    }

    /// The PTX text the module was loaded from.
    pub fn ptx(&self) -> &str {
        &self.ptx
    }
    /// The module's error table: error code `c` (nonzero) is `errors()[c - 1]`.
    pub fn errors(&self) -> &[ErrorInfo] {
        &self.errors
    }

    /// Runs kernel `kernel` over `0..n` with `args` (its inputs in order, then the output
    /// buffer) and waits for it. Buffers must hold at least `n` elements. A Python exception
    /// raised by the kernel is [`GpuError::Raised`].
    pub fn launch(&self, kernel: &str, n: u64, args: &[KernelArgValue]) -> Result<(), GpuError> {
        let dev = device()?;
        let invalid = |message: String| GpuError::InvalidLaunch {
            kernel: kernel.to_string(),
            message,
        };
        let (function, spec) = self
            .kernels
            .get(kernel)
            .ok_or_else(|| invalid("the module has no such kernel".into()))?;
        if args.len() != spec.inputs.len() + 1 {
            return Err(invalid(format!(
                "expected {} arguments (the inputs, then the output buffer), got {}",
                spec.inputs.len() + 1,
                args.len()
            )));
        }
        let mut words = vec![Word::W64(n)];
        let slots = spec
            .inputs
            .iter()
            .copied()
            .chain([KernelArg::Array { ty: spec.output }]);
        for (i, (slot, arg)) in slots.zip(args).enumerate() {
            let word = match (slot, arg) {
                (KernelArg::Array { ty }, KernelArgValue::Buffer(b))
                | (KernelArg::Scalar { ty: ty @ Ty::Ptr }, KernelArgValue::Buffer(b)) => {
                    let need = n.checked_mul(memory_size(ty).into());
                    let small = matches!(slot, KernelArg::Array { .. })
                        && need.is_none_or(|need| (b.len as u64) < need);
                    if small {
                        return Err(invalid(format!(
                            "argument {i}: a buffer of {} bytes cannot hold {n} {ty} values",
                            b.len
                        )));
                    }
                    Word::W64(b.address())
                }
                (KernelArg::Scalar { ty }, value) => scalar_word(ty, value)
                    .ok_or_else(|| invalid(format!("argument {i}: expected a {ty} value")))?,
                (KernelArg::Array { ty }, _) => {
                    return Err(invalid(format!("argument {i}: expected a buffer of {ty}")));
                }
            };
            words.push(word);
        }
        if n == 0 {
            return Ok(());
        }
        let slot = DeviceBuffer::alloc(std::mem::size_of::<ErrorSlot>())?;
        words.push(Word::W64(slot.address()));

        let blocks = n
            .div_ceil(BLOCK_SIZE.into())
            .min(u64::from(dev.multiprocessors) * BLOCKS_PER_SM)
            .max(1);
        let config = LaunchConfig {
            grid_dim: (blocks as u32, 1, 1),
            block_dim: (BLOCK_SIZE, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut builder = dev.stream.launch_builder(function);
        for word in &words {
            match word {
                Word::W32(w) => builder.arg(w),
                Word::W64(w) => builder.arg(w),
            };
        }
        let during = format!("launching `{kernel}`");
        // SAFETY: the parameters match the kernel's `.entry` declaration (emitted from the same
        // `KernelSpec`: n, one 4- or 8-byte value or pointer per input, the output and the
        // error slot), every buffer is large enough for `n` elements, and the buffers outlive
        // the launch because we synchronise before returning.
        let launched = catch_unwind(AssertUnwindSafe(|| unsafe { builder.launch(config) }))
            .map_err(|p| GpuError::Internal(format!("launch panicked: {}", panic_message(&*p))))?;
        launched.map_err(driver(&during))?;
        dev.stream
            .synchronize()
            .map_err(driver(&format!("running `{kernel}`")))?;
        self.check_error_slot(&slot)
    }

    /// Maps a nonzero code in the launch's error slot to the module's error table.
    fn check_error_slot(&self, slot: &DeviceBuffer) -> Result<(), GpuError> {
        let mut bytes = [0u8; std::mem::size_of::<ErrorSlot>()];
        slot.to_host(&mut bytes)?;
        let word = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[at..at + 8]);
            i64::from_le_bytes(b)
        };
        let code = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if code == 0 {
            return Ok(());
        }
        let args: [i64; ERROR_ARGS] = std::array::from_fn(|i| word(arg_offset(i) as usize));
        let info = self.errors.get(code as usize - 1).cloned().ok_or_else(|| {
            GpuError::Internal(format!("the kernel reported unknown error code {code}"))
        })?;
        Err(GpuError::Raised { code, info, args })
    }
}

/// The parameter word of scalar `value` for an input of type `ty`; `None` if it has another
/// type. Narrow integers are sign-extended, bools are 0/1.
fn scalar_word(ty: Ty, value: &KernelArgValue) -> Option<Word> {
    Some(match (ty, *value) {
        (Ty::Bool, KernelArgValue::Bool(v)) => Word::W32(v.into()),
        (Ty::I8, KernelArgValue::I8(v)) => Word::W32(i32::from(v) as u32),
        (Ty::I16, KernelArgValue::I16(v)) => Word::W32(i32::from(v) as u32),
        (Ty::I32, KernelArgValue::I32(v)) => Word::W32(v as u32),
        (Ty::I64, KernelArgValue::I64(v)) => Word::W64(v as u64),
        (Ty::F32, KernelArgValue::F32(v)) => Word::W32(v.to_bits()),
        (Ty::F64, KernelArgValue::F64(v)) => Word::W64(v.to_bits()),
        _ => return None,
    })
}
