import Media
import TensorCore

/// CLIP's image preprocessing: shorter side to the model's size with bicubic resampling (Pillow's
/// filter, as CLIP's reference transform uses), centre crop, pixels / 255, and the CLIP mean/std
/// normalisation (switchable, since DFER-CLIP's video loaders skip it). The centre crop rounds an
/// odd margin as the model's own preprocessing does: `.floor` for Hugging Face checkpoints
/// (`CLIPImageProcessor`), `.halfToEven` for OpenAI/open_clip ones (torchvision).
public enum CLIPPreprocess {
    public static func image(_ image: RGBImage, size: Int, normalize: Bool = true, rounding: CenterCropRounding = .floor) -> Tensor {
        let square = image.resizedShorterSide(to: size, filter: .bicubic).centerCropped(size, rounding: rounding)
        return ClipTensor.make([square], normalize: normalize)
    }
}
