{
  "targets": [
    {
      "target_name": "resbuilder_native",
      "sources": [
        "src/addon.cc",
        "src/dnnl_context.cc",
        "src/conv2d.cc",
        "src/matmul.cc",
        "src/pool2d.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/tile.cc",
        "src/layout.cc",
        "src/batchnorm.cc",
        "src/batchnorm_moments.cc",
        "src/batchnorm_grad.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-fopenmp"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
