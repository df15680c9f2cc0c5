"""Citation-linked answers: extractive by default, generative on request, abstaining when unsupported."""
