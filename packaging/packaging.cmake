# CPack: a Debian package of GenLab (`make package` -> build/genlab_<version>_<arch>.deb).
# Included (OPTIONAL) from the top-level CMakeLists.txt; the executables' install()
# rules live in app/CMakeLists.txt.
include(GNUInstallDirs)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/genlab.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/genlab.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/genlab.png
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "genlab")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "GenLab developers")
set(CPACK_PACKAGE_CONTACT "GenLab developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Desktop lab for deep generative models")
set(CPACK_PACKAGE_DESCRIPTION
    "GenLab is a desktop laboratory for deep generative models: train a model and watch it
learn, explore its latent space point and click, and compare methods side by side with
numbers. Qt 6 GUI (genlab) and command line (genlab-cli) over a LibTorch core.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "genlab")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # genlab_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "GenLab developers")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)              # library dependencies via dpkg-shlibdeps
# Not found by dpkg-shlibdeps but needed: the threaded OpenBLAS (else LibTorch falls back
# to the reference BLAS, ~13x slower) and Qt's xcb platform plugin (only recommended by Qt).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, qt6-qpa-plugins")
# mricron-data: the MRI volume (ch2.nii.gz) behind the CT lab's "mri" training images and phantoms.
# python3-skimage: its data folder holds the Hubble deep field for the deblurring problem.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libgl1-mesa-dri, mricron-data, python3-skimage")

include(CPack)
