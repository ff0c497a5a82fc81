/** VFIO PCI passthrough (issue 4). */
package io.jvmm.vfio;
