namespace veltrix::ctl {} // placeholder
